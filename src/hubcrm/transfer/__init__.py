"""Moving records in and out of a HubSpot-compatible API from files: `hubcrm import` and
`hubcrm export`. A client layer: it speaks HTTP to hubcrm or to HubSpot itself and never opens
hubcrm's database."""
