"""The Event Socket (ESL) layer: the only place that knows FreeSWITCH wire details."""
