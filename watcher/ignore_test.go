package watcher

import "testing"

func TestRules(t *testing.T) {
	r, err := newRules([]string{"*.mov", "*.jpg", "_graded/keep/*.txt"}, []string{"*_proxy.mov", "_graded/old"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rel  string
		skip bool
	}{
		{"_graded/A001.mov", false},
		{"_graded/day1/A001.MOV", true}, // globs are case-sensitive
		{"_thumbnails/A001.jpg", false},
		{"_graded/A001.wav", true},               // not included
		{"_graded/keep/notes.txt", false},        // glob with "/" matches the relative path
		{"_graded/other/notes.txt", true},        //
		{"_graded/A001_proxy.mov", true},         // excluded by base name
		{"_graded/old/A001.mov", true},           // excluded folder
		{"_graded/.Trashes/A001.mov", true},      // hidden folder
		{"_graded/day1/._A001.mov", true},        // AppleDouble
		{"_graded/.DS_Store", true},              //
		{"_graded/THUMBS.DB", true},              // case-insensitive built-ins
		{"_graded/Desktop.ini", true},            //
		{"_graded/~A001.mov", true},              //
		{"_graded/A001.mov.part", true},          //
		{"_graded/A001.mov.crdownload", true},    //
		{"_graded/A001.mov.partial", true},       //
		{"_graded/A001.tmp", true},               //
		{"_graded/day1/day2/A001.mov", false},    //
		{"_graded/day1/.cache/A001.mov", true},   //
		{"_graded/day1/old/A001.mov", false},     // "_graded/old" is a relative path, not a name
		{"_graded/day1/~tmp/A001.mov", false},    // "~" folders are not junk, only files
		{"_graded/day1/x_proxy.mov/a.mov", true}, // exclude applies to folder names too
	} {
		if got := r.skipPath("_graded", tc.rel); got != tc.skip {
			t.Errorf("skipPath(%q) = %v, want %v", tc.rel, got, tc.skip)
		}
	}
}

func TestDirRules(t *testing.T) {
	r, err := newRules([]string{"*.mov"}, []string{"proxies"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rel  string
		skip bool
	}{
		{"_graded/day1", false}, // include globs never hide folders
		{"_graded/day1/day2", false},
		{"_graded/.git", true},
		{"_graded/.git/sub", true},
		{"_graded/day1/proxies", true},
		{"_graded/proxies/x", true},
	} {
		if got := r.skipDirPath("_graded", tc.rel); got != tc.skip {
			t.Errorf("skipDirPath(%q) = %v, want %v", tc.rel, got, tc.skip)
		}
	}
}

func TestRulesWithoutInclude(t *testing.T) {
	r, err := newRules(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.skipPath("_graded", "_graded/any.thing") || !r.skipPath("_graded", "_graded/.x") {
		t.Fatal("empty include must admit everything not excluded")
	}
}
