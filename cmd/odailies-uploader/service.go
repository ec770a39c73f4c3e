package main

import "context"

func cmdInstall(ctx context.Context, c *cli, args []string) error   { return notLanded("install") }
func cmdUninstall(ctx context.Context, c *cli, args []string) error { return notLanded("uninstall") }
func cmdStart(ctx context.Context, c *cli, args []string) error     { return notLanded("start") }
func cmdStop(ctx context.Context, c *cli, args []string) error      { return notLanded("stop") }
func cmdRestart(ctx context.Context, c *cli, args []string) error   { return notLanded("restart") }
