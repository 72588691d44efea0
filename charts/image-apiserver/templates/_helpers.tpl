{{/* Names */}}
{{- define "image-apiserver.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "image-apiserver.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "image-apiserver.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "image-apiserver.selectorLabels" -}}
app.kubernetes.io/name: {{ include "image-apiserver.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "image-apiserver.labels" -}}
helm.sh/chart: {{ include "image-apiserver.chart" . }}
{{ include "image-apiserver.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: image-apiserver
{{- end -}}

{{/* The server pods: selector and labels */}}
{{- define "image-apiserver.server.selectorLabels" -}}
{{ include "image-apiserver.selectorLabels" . }}
app.kubernetes.io/component: apiserver
{{- end -}}

{{- define "image-apiserver.server.labels" -}}
{{ include "image-apiserver.labels" . }}
app.kubernetes.io/component: apiserver
{{- end -}}

{{/* The bundled etcd members */}}
{{- define "image-apiserver.etcd.fullname" -}}
{{- printf "%s-etcd" (include "image-apiserver.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "image-apiserver.etcd.selectorLabels" -}}
{{ include "image-apiserver.selectorLabels" . }}
app.kubernetes.io/component: etcd
{{- end -}}

{{- define "image-apiserver.etcd.labels" -}}
{{ include "image-apiserver.labels" . }}
app.kubernetes.io/component: etcd
{{- end -}}

{{- define "image-apiserver.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "image-apiserver.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "image-apiserver.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* DNS names the serving certificate must carry: the aggregator dials <svc>.<ns>.svc. */}}
{{- define "image-apiserver.serviceDNSNames" -}}
{{- $svc := include "image-apiserver.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- list (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.%s" $svc $ns .Values.clusterDomain) (printf "%s.%s" $svc $ns) $svc | toJson -}}
{{- end -}}

{{/* Name of the Secret holding the serving certificate (tls.crt, tls.key and, except for existing secrets, ca.crt). */}}
{{- define "image-apiserver.tlsSecretName" -}}
{{- if and (eq .Values.tls.mode "provided") .Values.tls.provided.existingSecret -}}
{{- .Values.tls.provided.existingSecret -}}
{{- else -}}
{{- printf "%s-tls" (include "image-apiserver.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
Certificate material for tls.mode=generate, as JSON {ca, crt, key} (PEM). Computed once per render and
memoized in .Values so that the Secret, the APIService caBundle and the Deployment's checksum agree.
An existing Secret of a previous release is reused (helm lookup; empty under `helm template`).
*/}}
{{- define "image-apiserver.generatedCert" -}}
{{- if not (hasKey .Values "__generatedCert") -}}
{{- $secretName := include "image-apiserver.tlsSecretName" . -}}
{{- $existing := dict -}}
{{- if .Values.tls.generate.reuseExisting -}}
{{- $existing = (lookup "v1" "Secret" .Release.Namespace $secretName) | default dict -}}
{{- end -}}
{{- $data := (get $existing "data") | default dict -}}
{{- if and (hasKey $data "ca.crt") (hasKey $data "tls.crt") (hasKey $data "tls.key") -}}
{{- $_ := set .Values "__generatedCert" (dict "ca" (index $data "ca.crt" | b64dec) "crt" (index $data "tls.crt" | b64dec) "key" (index $data "tls.key" | b64dec)) -}}
{{- else -}}
{{- $fullname := include "image-apiserver.fullname" . -}}
{{- $days := int .Values.tls.generate.validityDays -}}
{{- $ca := genCA (printf "%s-ca" $fullname) $days -}}
{{- $dnsNames := include "image-apiserver.serviceDNSNames" . | fromJsonArray -}}
{{- $cert := genSignedCert (first $dnsNames) nil $dnsNames $days $ca -}}
{{- $_ := set .Values "__generatedCert" (dict "ca" $ca.Cert "crt" $cert.Cert "key" $cert.Key) -}}
{{- end -}}
{{- end -}}
{{- index .Values "__generatedCert" | toJson -}}
{{- end -}}

{{/* PEM of the CA for spec.caBundle (generate and provided modes). */}}
{{- define "image-apiserver.caBundle" -}}
{{- if eq .Values.tls.mode "generate" -}}
{{- (include "image-apiserver.generatedCert" . | fromJson).ca -}}
{{- else if eq .Values.tls.mode "provided" -}}
{{- .Values.tls.provided.caBundle -}}
{{- end -}}
{{- end -}}

{{/* cert-manager objects */}}
{{- define "image-apiserver.certManager.servingCertName" -}}
{{- printf "%s-serving-cert" (include "image-apiserver.fullname" .) -}}
{{- end -}}

{{/* etcd client URLs for --etcd-servers */}}
{{- define "image-apiserver.etcdServers" -}}
{{- if eq .Values.etcd.mode "external" -}}
{{- join "," .Values.etcd.external.endpoints -}}
{{- else -}}
{{- $name := include "image-apiserver.etcd.fullname" . -}}
{{- $urls := list -}}
{{- range $i := until (int .Values.etcd.bundled.replicas) -}}
{{- $urls = append $urls (printf "http://%s-%d.%s.%s.svc.%s:2379" $name $i $name $.Release.Namespace $.Values.clusterDomain) -}}
{{- end -}}
{{- join "," $urls -}}
{{- end -}}
{{- end -}}

{{/* etcd --initial-cluster for the bundled members */}}
{{- define "image-apiserver.etcdInitialCluster" -}}
{{- $name := include "image-apiserver.etcd.fullname" . -}}
{{- $peers := list -}}
{{- range $i := until (int .Values.etcd.bundled.replicas) -}}
{{- $peers = append $peers (printf "%s-%d=http://%s-%d.%s.%s.svc.%s:2380" $name $i $name $i $name $.Release.Namespace $.Values.clusterDomain) -}}
{{- end -}}
{{- join "," $peers -}}
{{- end -}}

{{/* Pod anti-affinity across nodes: soft | hard (callers skip "none"). Args: mode, selector (YAML). */}}
{{- define "image-apiserver.podAntiAffinity" -}}
{{- $term := dict "topologyKey" "kubernetes.io/hostname" "labelSelector" (dict "matchLabels" (fromYaml .selector)) -}}
{{- if eq .mode "hard" -}}
{{- toYaml (dict "podAntiAffinity" (dict "requiredDuringSchedulingIgnoredDuringExecution" (list $term))) -}}
{{- else -}}
{{- toYaml (dict "podAntiAffinity" (dict "preferredDuringSchedulingIgnoredDuringExecution" (list (dict "weight" 100 "podAffinityTerm" $term)))) -}}
{{- end -}}
{{- end -}}
