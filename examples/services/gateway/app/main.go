// gateway is the public HTTP entry point: it answers for orders and billing.
//
// GET /healthz   liveness and readiness
// GET /version   chart version and the non-secret configuration
// GET /secrets   sha256 of each secret value: proves the value arrived without showing it
// GET /summary   the open orders and invoices, fetched from the orders and billing Services
//
// Upstreams are configured as URLs (ORDERS_URL=http://orders:8080). Their host is a Service name; with no
// cluster DNS, the gateway asks the Kubernetes API for that Service's ClusterIP with its service-account
// token (a Role in the chart allows reading Services), so the upstreams may be installed before or after it.
package main

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

const serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount/"

var (
	configKeys = []string{"LOG_LEVEL", "ORDERS_URL", "BILLING_URL"}
	secretKeys = []string{"sessionKey"}
	client     = &http.Client{Timeout: 5 * time.Second}
)

func main() {
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	http.HandleFunc("/version", func(w http.ResponseWriter, r *http.Request) {
		config := map[string]string{}
		for _, k := range configKeys {
			config[k] = os.Getenv(k)
		}
		reply(w, http.StatusOK, map[string]any{"service": "gateway", "version": os.Getenv("CHART_VERSION"), "config": config})
	})
	http.HandleFunc("/secrets", func(w http.ResponseWriter, r *http.Request) {
		digests := map[string]string{}
		for _, k := range secretKeys {
			sum := sha256.Sum256([]byte(os.Getenv(k)))
			digests[k] = "sha256:" + hex.EncodeToString(sum[:])
		}
		reply(w, http.StatusOK, digests)
	})
	http.HandleFunc("/summary", func(w http.ResponseWriter, r *http.Request) {
		summary := map[string]any{}
		for name, call := range map[string]string{"orders": os.Getenv("ORDERS_URL") + "/orders", "billing": os.Getenv("BILLING_URL") + "/invoices"} {
			body, via, err := get(call)
			if err != nil {
				reply(w, http.StatusBadGateway, map[string]string{"error": name + ": " + err.Error()})
				return
			}
			summary[name] = map[string]any{"via": via, "response": body}
		}
		reply(w, http.StatusOK, summary)
	})
	addr := ":" + envOr("PORT", "8000")
	log.Printf("gateway %s listening on %s (orders %s, billing %s)", os.Getenv("CHART_VERSION"), addr, os.Getenv("ORDERS_URL"), os.Getenv("BILLING_URL"))
	log.Fatal(http.ListenAndServe(addr, nil))
}

// get fetches a JSON document from an upstream URL whose host is a Service name, and says which address served it.
func get(raw string) (json.RawMessage, string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return nil, "", fmt.Errorf("not a URL: %q", raw)
	}
	ip, err := clusterIP(u.Hostname())
	if err != nil {
		return nil, "", err
	}
	u.Host = net.JoinHostPort(ip, u.Port())
	resp, err := client.Get(u.String())
	if err != nil {
		return nil, u.Host, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, u.Host, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return body, u.Host, nil
}

// clusterIP reads Service name's ClusterIP from the API server, reached through the "kubernetes" Service.
func clusterIP(name string) (string, error) {
	token, err := os.ReadFile(serviceAccount + "token")
	if err != nil {
		return "", fmt.Errorf("no service-account token: %w", err)
	}
	namespace, _ := os.ReadFile(serviceAccount + "namespace")
	ca, _ := os.ReadFile(serviceAccount + "ca.crt")
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca)
	api := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	host := net.JoinHostPort(os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT"))
	req, _ := http.NewRequest("GET", "https://"+host+"/api/v1/namespaces/"+strings.TrimSpace(string(namespace))+"/services/"+name, nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	resp, err := api.Do(req)
	if err != nil {
		return "", fmt.Errorf("service %s: %w", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("service %s: %s", name, resp.Status)
	}
	var service struct {
		Spec struct {
			ClusterIP string `json:"clusterIP"`
		} `json:"spec"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&service); err != nil || service.Spec.ClusterIP == "" {
		return "", fmt.Errorf("service %s has no ClusterIP", name)
	}
	return service.Spec.ClusterIP, nil
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
