"""`python -m jewelryorders` is the same as the `jewelryorders` command."""

from .cli.main import main

raise SystemExit(main())
