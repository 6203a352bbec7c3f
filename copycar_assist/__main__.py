from copycar_assist.cli import run

if __name__ == "__main__":  # not when a worker process imports it (kb/pool.py)
    run()
