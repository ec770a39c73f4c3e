package main

import "context"

func cmdRetry(ctx context.Context, c *cli, args []string) error { return notLanded("retry") }
