from incident_tui.cli import main

raise SystemExit(main())
