package queue

import "syscall"

// adviseDontNeed drops the page table entries of the n bytes mapped at
// addr (a shared map of a file: its pages read as the file again). It
// passes the address as a number: no Go pointer is made of it.
func adviseDontNeed(addr, n uintptr) {
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, addr, n, syscall.MADV_DONTNEED)
}
