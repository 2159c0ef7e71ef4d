"""Training screens: scenario picker, trainee, narrative, the live step screen wrapped, debrief."""
