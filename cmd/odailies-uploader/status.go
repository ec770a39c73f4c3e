package main

import "context"

func cmdStatus(ctx context.Context, c *cli, args []string) error { return notLanded("status") }
