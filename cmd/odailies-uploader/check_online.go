package main

import "context"

func checkOnline(ctx context.Context, c *cli, cfg *Config) error { return notLanded("check (online)") }
