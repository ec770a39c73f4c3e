package main

import "context"

func cmdDemo(ctx context.Context, c *cli, args []string) error { return notLanded("demo") }
