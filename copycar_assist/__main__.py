from copycar_assist.cli import main

raise SystemExit(main())
