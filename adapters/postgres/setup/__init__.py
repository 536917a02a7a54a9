"""Master data: the setup document's writer, what sourcing and booking read, the readiness
check, and the checks of a request against what is set up."""
