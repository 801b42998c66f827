"""The command line: `jewelryorders` starts the GUI; subcommands list, print, import, export, check, demo."""
