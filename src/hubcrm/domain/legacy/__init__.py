"""Legacy CRM APIs over the records domain: what each view reads and how it pages."""
