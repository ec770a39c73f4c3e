package main

import "context"

func cmdSync(ctx context.Context, c *cli, args []string) error { return notLanded("sync") }
