from bcigui.cli import main

if __name__ == "__main__":  # a spawned child (the decoding process) imports the main module
    raise SystemExit(main())
