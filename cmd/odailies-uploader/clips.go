package main

import "context"

func cmdClips(ctx context.Context, c *cli, args []string) error { return notLanded("clips") }
