"""Printed papers and workbooks: pure functions from plain data to PDF or XLSX; they never query the database."""
