from incident_tui.cli import run

run()
