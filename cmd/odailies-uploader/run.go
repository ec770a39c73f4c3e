package main

import "context"

func cmdRun(ctx context.Context, c *cli, args []string) error { return notLanded("run") }
