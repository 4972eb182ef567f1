{{/* The release's name; inside an umbrella chart (one release of many services) the umbrella sets fullnameOverride. */}}
{{- define "orders.fullname" -}}
{{- .Values.fullnameOverride | default .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "orders.labels" -}}
app.kubernetes.io/name: orders
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* A canary's pods carry the stable release's selector labels, so its Service sends them a share of the traffic. */}}
{{- define "orders.selector" -}}
app.kubernetes.io/name: orders
app.kubernetes.io/instance: {{ .Values.canary.of | default .Release.Name }}
{{- if .Values.canary.of }}
stackpipe.io/track: canary
{{- end }}
{{- end -}}

{{/* The pinned digest wins over the tag: what CI tested is what runs. */}}
{{- define "orders.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}
