"""Delivery and after-sales (part 6): shipments, certificates, tracking, papers, after-sales cases, analysis."""
