variable "vpc_id" {
  type = string
}

variable "db_password" {
  type      = string
  sensitive = true
}

resource "aws_db_instance" "shop" {
  identifier        = "shop"
  engine            = "postgres"
  engine_version    = "16.4"
  instance_class    = "db.t4g.small"
  username          = "shop"
  password          = var.db_password
  storage_encrypted = true
  deletion_protection     = true
  backup_retention_period = 14
  publicly_accessible     = false
  vpc_security_group_ids  = [aws_security_group.db.id]
}

resource "aws_security_group" "db" {
  name   = "shop-db"
  vpc_id = var.vpc_id

  ingress {
    description     = "Postgres from the application only"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id]
  }
}

resource "aws_security_group" "lb" {
  name   = "shop-lb"
  vpc_id = var.vpc_id

  ingress {
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "app" {
  name   = "shop-app"
  vpc_id = var.vpc_id

  ingress {
    from_port       = 8000
    to_port         = 8000
    protocol        = "tcp"
    security_groups = [aws_security_group.lb.id]
  }
}
