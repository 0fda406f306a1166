"""``python -m robustad`` runs the command line."""

from robustad.cli.app import main

raise SystemExit(main())
