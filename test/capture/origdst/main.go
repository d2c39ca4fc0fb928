// origdst is the capture tests' probe: a listener that reports where each connection was
// originally headed (SO_ORIGINAL_DST, i.e. before iptables REDIRECT), and a client that dials
// one address, optionally as another UID/GID, and prints the listener's report.
//
//	origdst listen NAME=PORT...   listen on 0.0.0.0:PORT and [::]:PORT for each; print READY
//	origdst dial HOST:PORT [-uid N] [-gid N] [-bind IP] [-timeout D]
//
// Each accepted connection gets one JSON line {listener, local, peer, origDst} written back to
// the client (and to stdout); dial prints that line, or {"error": ...} and exits 1.
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// SO_ORIGINAL_DST (linux/netfilter_ipv4.h) and IP6T_SO_ORIGINAL_DST (netfilter_ipv6/ip6_tables.h).
const soOriginalDst = 80

type report struct {
	Listener string `json:"listener"`
	Local    string `json:"local"`
	Peer     string `json:"peer"`
	OrigDst  string `json:"origDst,omitempty"`
	Err      string `json:"origDstError,omitempty"`
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: origdst listen NAME=PORT... | origdst dial HOST:PORT [-uid N] [-gid N] [-bind IP] [-timeout D]")
	}
	switch os.Args[1] {
	case "listen":
		listen(os.Args[2:])
	case "dial":
		dial(os.Args[2:])
	default:
		fail("unknown command " + os.Args[1])
	}
}

func fail(msg string) {
	out, _ := json.Marshal(map[string]string{"error": msg})
	fmt.Println(string(out))
	os.Exit(1)
}

func listen(specs []string) {
	if len(specs) == 0 {
		fail("listen needs NAME=PORT arguments")
	}
	for _, spec := range specs {
		name, port, ok := strings.Cut(spec, "=")
		if !ok {
			fail("bad listener spec " + spec + " (want NAME=PORT)")
		}
		// Separate v4 and v6 sockets: "tcp6" is IPV6_V6ONLY, so each family reads its own option.
		for _, nw := range []struct{ network, addr string }{{"tcp4", "0.0.0.0:" + port}, {"tcp6", "[::]:" + port}} {
			l, err := net.Listen(nw.network, nw.addr)
			if err != nil {
				fail(fmt.Sprintf("listen %s %s: %v", nw.network, nw.addr, err))
			}
			go serve(name, l)
		}
	}
	fmt.Printf("READY pid=%d\n", os.Getpid())
	select {}
}

func serve(name string, l net.Listener) {
	for {
		conn, err := l.Accept()
		if err != nil {
			continue
		}
		go func(c net.Conn) {
			defer c.Close()
			r := report{Listener: name, Local: c.LocalAddr().String(), Peer: c.RemoteAddr().String()}
			if dst, err := originalDst(c.(*net.TCPConn)); err != nil {
				r.Err = err.Error()
			} else {
				r.OrigDst = dst
			}
			line, _ := json.Marshal(r)
			fmt.Println(string(line))
			_ = c.SetWriteDeadline(time.Now().Add(3 * time.Second))
			_, _ = c.Write(append(line, '\n'))
		}(conn)
	}
}

func originalDst(c *net.TCPConn) (string, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return "", err
	}
	ipv6 := c.LocalAddr().(*net.TCPAddr).IP.To4() == nil
	var buf [28]byte // sizeof(struct sockaddr_in6); sockaddr_in fits too
	size := uint32(len(buf))
	var errno syscall.Errno
	err = raw.Control(func(fd uintptr) {
		level := uintptr(syscall.SOL_IP)
		if ipv6 {
			level = syscall.SOL_IPV6
		}
		_, _, errno = syscall.Syscall6(syscall.SYS_GETSOCKOPT, fd, level, soOriginalDst,
			uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)), 0)
	})
	if err != nil {
		return "", err
	}
	if errno != 0 {
		return "", errno
	}
	port := int(binary.BigEndian.Uint16(buf[2:4]))
	if ipv6 {
		return net.JoinHostPort(net.IP(buf[8:24]).String(), strconv.Itoa(port)), nil
	}
	return net.JoinHostPort(net.IP(buf[4:8]).String(), strconv.Itoa(port)), nil
}

func dial(args []string) {
	if len(args) == 0 {
		fail("dial needs HOST:PORT")
	}
	fs := flag.NewFlagSet("dial", flag.ContinueOnError)
	uid := fs.Int("uid", -1, "run as this UID (the socket's owner, as iptables -m owner sees it)")
	gid := fs.Int("gid", -1, "run as this GID")
	bind := fs.String("bind", "", "source IP to bind")
	timeout := fs.Duration("timeout", 3*time.Second, "connect and read timeout")
	if err := fs.Parse(args[1:]); err != nil {
		fail(err.Error())
	}
	// Drop privileges for the whole process before the socket exists (Go applies setuid to all
	// threads), so the kernel records this UID/GID as the socket's owner.
	if *gid >= 0 {
		if err := syscall.Setgroups(nil); err != nil {
			fail("setgroups: " + err.Error())
		}
		if err := syscall.Setgid(*gid); err != nil {
			fail("setgid: " + err.Error())
		}
	}
	if *uid >= 0 {
		if err := syscall.Setuid(*uid); err != nil {
			fail("setuid: " + err.Error())
		}
	}
	d := net.Dialer{Timeout: *timeout}
	if *bind != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(*bind)}
	}
	conn, err := d.Dial("tcp", args[0])
	if err != nil {
		fail("dial " + args[0] + ": " + err.Error())
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(*timeout))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		fail("read from " + args[0] + ": " + err.Error())
	}
	fmt.Print(line)
}
