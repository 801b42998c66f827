"""Quality control (part 5): standards, instruments, inspections with their gates, nonconformance and corrective
action."""
