// Go's crypto/tls verdict on a server: connect to 127.0.0.1:PORT as HOST,
// trusting the system roots plus CA_FILE (if any). Prints "accept" or
// "refuse: <reason>".
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

func main() {
	port, host, caFile := os.Args[1], os.Args[2], os.Args[3]
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if caFile != "-" {
		pem, err := os.ReadFile(caFile)
		if err == nil {
			pool.AppendCertsFromPEM(pem)
		}
	}
	conn, err := tls.Dial("tcp", "127.0.0.1:"+port, &tls.Config{ServerName: host, RootCAs: pool})
	if err != nil {
		fmt.Println("refuse:", err)
		return
	}
	conn.Close()
	fmt.Println("accept")
}
