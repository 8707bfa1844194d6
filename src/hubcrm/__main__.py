from hubcrm.cli import main

raise SystemExit(main())
