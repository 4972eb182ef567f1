// billing invoices customers and takes payments.
//
// THE BROKEN CHANGE of the demo (`stackpipe demo`): billing as a developer might push it, starting to add tax to
// invoices from a TAX_RATE setting that no chart profile provides yet. It starts and answers /healthz, so its pods
// get Ready and the candidate's stack comes up; only the system tests (examples/system-tests.sh) see /invoices
// fail, and the gate rejects the candidate. The working service is examples/services/billing/app.
//
// GET /healthz   liveness and readiness
// GET /version   chart version and the non-secret configuration
// GET /secrets   sha256 of each secret value: proves the value arrived without showing it
// GET /invoices  the open invoices
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
	configKeys = []string{"LOG_LEVEL", "CURRENCY"}
	secretKeys = []string{"databasePassword", "paymentProviderKey"}
)

type invoice struct {
	ID     string `json:"id"`
	Order  string `json:"order"`
	Amount string `json:"amount"`
	Paid   bool   `json:"paid"`
}

func main() {
	currency := os.Getenv("CURRENCY")
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	http.HandleFunc("/version", func(w http.ResponseWriter, r *http.Request) {
		config := map[string]string{}
		for _, k := range configKeys {
			config[k] = os.Getenv(k)
		}
		reply(w, map[string]any{"service": "billing", "version": os.Getenv("CHART_VERSION"), "config": config})
	})
	http.HandleFunc("/secrets", func(w http.ResponseWriter, r *http.Request) {
		digests := map[string]string{}
		for _, k := range secretKeys {
			sum := sha256.Sum256([]byte(os.Getenv(k)))
			digests[k] = "sha256:" + hex.EncodeToString(sum[:])
		}
		reply(w, digests)
	})
	http.HandleFunc("/invoices", func(w http.ResponseWriter, r *http.Request) {
		rate, err := strconv.ParseFloat(os.Getenv("TAX_RATE"), 64)
		if err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			json.NewEncoder(w).Encode(map[string]string{"error": "invoices: TAX_RATE is not a number: " + strconv.Quote(os.Getenv("TAX_RATE"))})
			return
		}
		reply(w, []invoice{{"i-501", "o-1001", taxed(42.50, rate) + " " + currency, true}, {"i-502", "o-1002", taxed(9.90, rate) + " " + currency, false}})
	})
	addr := ":" + envOr("PORT", "8081")
	log.Printf("billing %s listening on %s (currency %s)", os.Getenv("CHART_VERSION"), addr, currency)
	log.Fatal(http.ListenAndServe(addr, nil))
}

func taxed(amount, rate float64) string {
	return strconv.FormatFloat(amount*(1+rate), 'f', 2, 64)
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
