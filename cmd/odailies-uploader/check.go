package main

import "context"

func cmdCheck(ctx context.Context, c *cli, args []string) error { return notLanded("check") }
