package e2e

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/odailies/odailies-uploader/internal/s3test"
)

// presigner issues real SigV4 presigned PUT URLs for the fake API. The
// endpoint may be a toxiproxy in front of the S3 server: the signature
// covers the host the daemon connects to.
type presigner struct {
	client *s3.PresignClient
	bucket string

	mu     sync.Mutex
	broken map[string]bool // keys signed into a bucket that does not exist
	life   time.Duration   // overrides the API's lifetime when set
}

func newPresigner(t *testing.T, srv *s3test.Server, endpoint string) *presigner {
	t.Helper()
	client := s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
	})
	return &presigner{client: s3.NewPresignClient(client), bucket: srv.Bucket, broken: map[string]bool{}}
}

func (p *presigner) presign(key string, lifetime time.Duration) (string, error) {
	p.mu.Lock()
	bucket := p.bucket
	if p.broken[key] {
		bucket = "no-such-bucket"
	}
	if p.life > 0 {
		lifetime = p.life
	}
	p.mu.Unlock()
	req, err := p.client.PresignPutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket),
		Key:    aws.String(key),
	}, s3.WithPresignExpires(lifetime))
	if err != nil {
		return "", err
	}
	return req.URL, nil
}

// breakKey makes the URLs for key point at a missing bucket: storage
// answers 404, a permanent failure for that file.
func (p *presigner) breakKey(key string, broken bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.broken[key] = broken
}

func (p *presigner) setLifetime(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.life = d
}
