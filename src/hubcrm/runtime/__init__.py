"""Running hubcrm as processes: its settings and its worker processes."""
