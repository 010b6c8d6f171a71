from bcigui.cli import main

raise SystemExit(main())
