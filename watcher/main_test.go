package watcher

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// childEnv makes the test binary act as a writer process instead of running
// tests: "PATH,PAUSE_MS" writes 1 MiB to PATH, waits PAUSE_MS with the file
// still open, writes another MiB and closes it.
const childEnv = "WATCHER_TEST_WRITER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		if err := childWriter(spec); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func childWriter(spec string) error {
	var name string
	var pause int
	for i := len(spec) - 1; i >= 0; i-- {
		if spec[i] == ',' {
			name = spec[:i]
			p, err := strconv.Atoi(spec[i+1:])
			if err != nil {
				return err
			}
			pause = p
			break
		}
	}
	f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	chunk := make([]byte, 1<<20)
	if _, err := f.Write(chunk); err != nil {
		return err
	}
	if pause > 0 {
		time.Sleep(time.Duration(pause) * time.Millisecond) // the writer's behaviour under test
		if _, err := f.Write(chunk); err != nil {
			return err
		}
	}
	return f.Close()
}
