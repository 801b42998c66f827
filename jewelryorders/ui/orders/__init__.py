"""The Orders tab: the order list, the order form (drafts, submission) and the order window with its timeline."""
