module meshward.local/capture-origdst

go 1.22
