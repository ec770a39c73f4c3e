package main

import "context"

func cmdVersion(ctx context.Context, c *cli, args []string) error { return notLanded("version") }
