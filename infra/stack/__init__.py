"""The CDK app of the compliance reports service: one stack composed of capability constructs."""
