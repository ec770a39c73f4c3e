package odailies_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/odailies/odailies-uploader/internal/redact"
	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

// Sign a path and PUT the bytes, here against the in-process fake API.
func ExampleClient_SignUpload() {
	dir, err := os.MkdirTemp("", "example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	api, err := odailiestest.Start("127.0.0.1:0", odailiestest.Options{
		ProjectID: "demo",
		Tokens:    map[string]odailiestest.Perm{"demo-token-0123456789": odailiestest.Upload},
		Dir:       dir,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer api.Close()

	c, err := odailies.New(odailies.Options{BaseURL: api.URL(), ProjectID: "demo", Token: "demo-token-0123456789"})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	su, err := c.SignUpload(ctx, "_thumbnails/A001C001.jpg")
	if err != nil {
		fmt.Println(err)
		return
	}
	body := []byte("jpeg bytes")
	req, err := http.NewRequest(http.MethodPut, su.URL, bytes.NewReader(body)) // exact Content-Length
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(c.Redact(err.Error()))
		return
	}
	resp.Body.Close()
	got, _ := api.Received("_thumbnails/A001C001.jpg")
	fmt.Println(resp.StatusCode, string(got))
	fmt.Println(redact.Token("demo-token-0123456789"))
	// Output:
	// 200 jpeg bytes
	// dem…6789
}
