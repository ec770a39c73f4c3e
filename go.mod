module github.com/odailies/odailies-uploader

go 1.26.0
