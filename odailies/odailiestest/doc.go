// Package odailiestest is an in-process fake of the oDailies v1 API with its
// own signed-URL storage and fault injection, for tests and for the demo.
package odailiestest
