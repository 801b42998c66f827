"""Part 1, order intake: orders and their lines, the order list, import, export and papers."""
