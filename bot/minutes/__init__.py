"""Minutes of recorded meetings, MeetBot style: meeting (rules), items (values), writers."""
