// orders takes and tracks customer orders.
//
// GET /healthz   liveness and readiness
// GET /version   chart version and the non-secret configuration
// GET /secrets   sha256 of each secret value: proves the value arrived without showing it
// GET /orders    the open orders
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"strconv"
)

var (
	configKeys = []string{"LOG_LEVEL", "PAYMENT_TIMEOUT_SECONDS"}
	secretKeys = []string{"databasePassword", "apiToken"}
)

type order struct {
	ID       string `json:"id"`
	Customer string `json:"customer"`
	Total    string `json:"total"`
}

func main() {
	if _, err := strconv.Atoi(os.Getenv("PAYMENT_TIMEOUT_SECONDS")); err != nil {
		log.Fatalf("PAYMENT_TIMEOUT_SECONDS must be a whole number of seconds, got %q", os.Getenv("PAYMENT_TIMEOUT_SECONDS"))
	}
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	http.HandleFunc("/version", func(w http.ResponseWriter, r *http.Request) {
		config := map[string]string{}
		for _, k := range configKeys {
			config[k] = os.Getenv(k)
		}
		reply(w, map[string]any{"service": "orders", "version": os.Getenv("CHART_VERSION"), "config": config})
	})
	http.HandleFunc("/secrets", func(w http.ResponseWriter, r *http.Request) {
		digests := map[string]string{}
		for _, k := range secretKeys {
			sum := sha256.Sum256([]byte(os.Getenv(k)))
			digests[k] = "sha256:" + hex.EncodeToString(sum[:])
		}
		reply(w, digests)
	})
	http.HandleFunc("/orders", func(w http.ResponseWriter, r *http.Request) {
		reply(w, []order{{"o-1001", "c-17", "42.50"}, {"o-1002", "c-23", "9.90"}})
	})
	addr := ":" + envOr("PORT", "8080")
	log.Printf("orders %s listening on %s (log level %s)", os.Getenv("CHART_VERSION"), addr, os.Getenv("LOG_LEVEL"))
	log.Fatal(http.ListenAndServe(addr, nil))
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
