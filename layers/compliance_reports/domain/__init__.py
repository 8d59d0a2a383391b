"""Report rules in plain Python: no boto3, no environment variables."""
