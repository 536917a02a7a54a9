"""Kit lines: booked with their components, set up, canceled in whole kits, closed once every
component is done."""
