"""AWS adapters. Each takes its boto3 client in the constructor, so tests can hand in a moto one."""
