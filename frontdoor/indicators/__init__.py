"""The indicator table: periods, the store's counts, its CSV and workbook, `frontdoor report`."""
