from copycar_assist.cli import main

if __name__ == "__main__":  # not when a worker process imports it (kb/pool.py)
    raise SystemExit(main())
