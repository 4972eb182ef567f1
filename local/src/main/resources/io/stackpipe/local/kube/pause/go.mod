module stackpipe.local/pause

go 1.22
