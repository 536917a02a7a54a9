"""The worker: runs the workflows and activities and relays owed signals."""
